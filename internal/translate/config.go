package translate

// Config names the providers to use; a provider is on when its URL or key is
// set. Keys come from the environment only (KeysFromEnv), never from flags,
// so they do not show in process lists or --help.
type Config struct {
	ApertiumURL       string // apertium-apy, e.g. http://127.0.0.1:2737
	LibreTranslateURL string
	LibreTranslateKey string
	DeepLKey          string
	DeepLURL          string // default: from the key (free or pro endpoint)
	GoogleKey         string // v2 (Basic)
	GoogleProject     string // v3 (Advanced), with GoogleToken
	GoogleToken       string
	GoogleURL         string // default https://translation.googleapis.com
	OpenAIURL         string // any OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1
	OpenAIKey         string
	OpenAIModel       string
}

// Environment variables holding secrets.
const (
	EnvLibreTranslateKey = "SPEKTRUM_TRANSLATE_LIBRETRANSLATE_KEY"
	EnvDeepLKey          = "SPEKTRUM_TRANSLATE_DEEPL_KEY"
	EnvGoogleKey         = "SPEKTRUM_TRANSLATE_GOOGLE_KEY"
	EnvGoogleProject     = "SPEKTRUM_TRANSLATE_GOOGLE_PROJECT"
	EnvGoogleToken       = "SPEKTRUM_TRANSLATE_GOOGLE_TOKEN"
	EnvOpenAIKey         = "SPEKTRUM_TRANSLATE_OPENAI_KEY"
	EnvDeepLURL          = "SPEKTRUM_TRANSLATE_DEEPL_URL"
	EnvGoogleURL         = "SPEKTRUM_TRANSLATE_GOOGLE_URL"
)

// KeysFromEnv fills the secret fields (and the cloud endpoints' overrides) from getenv.
func (c *Config) KeysFromEnv(getenv func(string) string) {
	c.LibreTranslateKey = getenv(EnvLibreTranslateKey)
	c.DeepLKey = getenv(EnvDeepLKey)
	c.DeepLURL = getenv(EnvDeepLURL)
	c.GoogleKey = getenv(EnvGoogleKey)
	c.GoogleProject = getenv(EnvGoogleProject)
	c.GoogleToken = getenv(EnvGoogleToken)
	c.GoogleURL = getenv(EnvGoogleURL)
	c.OpenAIKey = getenv(EnvOpenAIKey)
}

// Providers builds the configured providers in the default order of
// preference: the local, free ones first, then the paid ones, then a
// general model.
func (c Config) Providers(o HTTPOptions) []Translator {
	var out []Translator
	if c.ApertiumURL != "" {
		out = append(out, NewApertium(c.ApertiumURL, o))
	}
	if c.LibreTranslateURL != "" {
		out = append(out, NewLibreTranslate(c.LibreTranslateURL, c.LibreTranslateKey, o))
	}
	if c.DeepLKey != "" {
		out = append(out, NewDeepL(c.DeepLKey, c.DeepLURL, o))
	}
	if c.GoogleKey != "" || (c.GoogleProject != "" && c.GoogleToken != "") {
		out = append(out, NewGoogle(c.GoogleKey, c.GoogleProject, c.GoogleToken, c.GoogleURL, o))
	}
	if c.OpenAIURL != "" && c.OpenAIModel != "" {
		out = append(out, NewOpenAI(c.OpenAIURL, c.OpenAIKey, c.OpenAIModel, o))
	}
	return out
}
