package locale

import "regexp"

var verbRE = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*\d*(?:\[(\d+)\])?([a-zA-Z%])`)

// verbs lists the placeholders of a catalog text as argument and kind
// ("1d", "2s"): a translation must use the same ones as the English, in
// whatever order its grammar needs and with whatever padding.
func verbs(s string) []string {
	var out []string
	for i, m := range verbRE.FindAllStringSubmatch(s, -1) {
		arg := m[1] + m[2]
		if arg == "" {
			arg = string(rune('1' + i))
		}
		out = append(out, arg+m[3])
	}
	return out
}

// withoutVerbs is s with its placeholders taken out.
func withoutVerbs(s string) string {
	return verbRE.ReplaceAllString(s, "")
}
