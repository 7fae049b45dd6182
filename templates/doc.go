// Package templates parses and renders the content of a message: a
// one-line subject and a text part from text/template, an optional HTML part
// from html/template. Every field a template names is checked against Data
// when it is parsed, and Render always appends the footer with the way out
// (unsubscribe, preferences, "why did I get this?") and the postal address.
//
// Names are shown as the customer gave them, except that a name typed all in
// capitals ("MARIA") is shown in title case ("Maria"), and line breaks in a
// name become spaces. A template handles a missing first name with
// {{with .Customer.FirstName}}…{{else}}…{{end}} or with
// {{.Customer.FirstName | default "there"}}; default is the only function
// added to the text/template built-ins.
package templates
