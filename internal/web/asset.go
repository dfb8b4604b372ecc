package web

// AssetPath is the public path of an embedded static file, such as
// "style.css" → "/static/style.3f2a1b9c.css", for pages of other packages
// that share the site's look (the admin links the site's stylesheet).
func AssetPath(name string) (string, error) {
	sf, err := loadStatic()
	if err != nil {
		return "", err
	}
	return sf.url(name)
}
