package populate

import "strings"

// words is the vocabulary of generated titles and texts: common words of
// news English, so lengths and the search index's term spread are
// plausible.
var words = strings.Fields(`
government minister election council parliament president party vote
votes voters budget reform tax taxes economy market markets bank banks
inflation prices energy gas oil power climate weather storm flood
drought heat police court judge trial law laws rights border migrants
refugees war peace talks army troops attack ceasefire security defence
health hospital doctors nurses patients vaccine school schools teachers
students university research science study report data city cities
town village region country nation state states capital coast river
mountain farmers farm food water housing rents homes workers strike
union unions wages jobs company companies firm industry trade exports
imports sanctions deal agreement treaty summit leaders leader opposition
coalition protest protesters crowd streets festival music film art
museum culture sport football match team coach season cup league final
record years year month week today yesterday morning evening night new
old first last big small major minor long short high low rising falling
more less many few after before during against over under between
across about the a of in on for with from into by and or but not
says said plans plan approves rejects warns calls asks wins loses
opens closes starts ends faces meets signs cuts raises spends builds
transport trains rail roads airport flights ships port bridge tunnel
digital internet online platform data privacy software phones children
families women men people public private local national european global
`)
