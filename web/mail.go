package web

import (
	"embed"
	"text/template"
)

//go:embed templates/mail/*.txt
var mailFS embed.FS

// mailTemplates are the words of the transactional messages the pages send,
// one file each.
var mailTemplates = template.Must(template.ParseFS(mailFS, "templates/mail/*.txt"))
