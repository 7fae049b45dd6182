package doctor

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// maxTXTString is the longest character-string a TXT record holds (RFC
// 1035); longer values, such as an RSA key, are split into several strings
// that receivers join again.
const maxTXTString = 255

// Format writes the records zone-file style, each with a comment saying
// what it is for, ready to paste into a zone or to copy field by field into
// a DNS provider's form.
func (r Records) Format(w io.Writer) error {
	bw := bufio.NewWriter(w)
	wrote := false
	write := func(rec Record, comment ...string) {
		if rec.Name == "" {
			return
		}
		if wrote {
			bw.WriteString("\n")
		}
		wrote = true
		for _, c := range comment {
			fmt.Fprintf(bw, "; %s\n", c)
		}
		fmt.Fprintf(bw, "%s.\tIN\t%s\t", rec.Name, rec.Type)
		parts := splitTXT(rec.Value)
		if len(parts) == 1 {
			fmt.Fprintf(bw, "%s\n", quoteTXT(parts[0]))
			return
		}
		bw.WriteString("(\n")
		for _, p := range parts {
			fmt.Fprintf(bw, "\t%s\n", quoteTXT(p))
		}
		bw.WriteString("\t)\n")
	}
	write(r.DKIM,
		"DKIM: the public half of your signing key. Publish it before turning signing on.",
		"Providers with a single value box take the strings joined, without the quotes.")
	write(r.SPF,
		"SPF: a suggestion. If a provider sends for you, add its include (for example",
		"include:amazonses.com) before ~all. A domain has one SPF record: merge with any you have.")
	write(r.DMARC,
		"DMARC: p=none only asks for reports. Once they show all your mail passing,",
		"move to p=quarantine.")
	if !wrote {
		bw.WriteString("; no records: set business.from (and dkim) first\n")
	}
	return bw.Flush()
}

func splitTXT(v string) []string {
	var parts []string
	for len(v) > maxTXTString {
		parts = append(parts, v[:maxTXTString])
		v = v[maxTXTString:]
	}
	return append(parts, v)
}

func quoteTXT(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
