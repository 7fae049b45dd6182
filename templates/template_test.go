package templates

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

func mustParse(tb testing.TB, src Source) *Template {
	tb.Helper()
	t, err := Parse(src)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return t
}

func sample() Data {
	return SampleData("https://crumb.example", Business{Name: "Crumb & Co. Bakery", PostalAddress: "12 Mill Lane, Bristol BS1 4DJ, UK"},
		Campaign{ID: "birthday-treat", Name: "Birthday treat"})
}

func src(subject, text, html string) Source {
	return Source{SubjectName: "campaigns/c.yaml", Subject: subject, TextName: "templates/t.txt", Text: text, HTMLName: "templates/t.html", HTML: html}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  Source
		want []string
	}{
		{
			name: "unknown field on customer",
			src:  src("Hi", "Hello {{.Customer.Birthday}}", ""),
			want: []string{`templates/t.txt:1:18: error: template: unknown field .Customer.Birthday: Customer has FirstName, ID, LastName, Locale`},
		},
		{
			name: "misspelt field inside with, on the second line",
			src:  src("Hi", "Hello\n{{with .Customer}}{{.Firstname}}{{end}}", ""),
			want: []string{`templates/t.txt:2:21: error: template: unknown field .Firstname: did you mean "FirstName"? Customer has FirstName, ID, LastName, Locale`},
		},
		{
			name: "field on a range element",
			src:  src("Hi", "{{range $i, $u := .Links.Survey}}{{$u.Score}}{{end}}", ""),
			want: []string{`templates/t.txt:1:38: error: template: $u is text, which has no field Score`},
		},
		{
			name: "unknown function",
			src:  src("Hi", "{{shout .Customer.FirstName}}", ""),
			want: []string{`templates/t.txt:1: error: template: function "shout" not defined`},
		},
		{
			name: "unknown field in html and subject both reported",
			src:  src("Hi {{.Customer.Name}}", "ok", "<p>{{.Item.Nme}}</p>"),
			want: []string{
				`campaigns/c.yaml:1:15: error: template: unknown field .Customer.Name: Customer has FirstName, ID, LastName, Locale`,
				`templates/t.html:1:11: error: template: unknown field .Item.Nme: did you mean "Name"? Item has ID, Name, URL`,
			},
		},
		{
			name: "syntax error",
			src:  src("Hi", "{{if .Customer.FirstName}}unclosed", ""),
			want: []string{`templates/t.txt:1: error: template: unexpected EOF`},
		},
		{
			name: "empty subject and text",
			src:  src(" ", "", ""),
			want: []string{`campaigns/c.yaml: error: template: the subject is empty`, `templates/t.txt: error: template: the text part is empty: every message needs one`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.src)
			var ds courtesy.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("Parse error = %v, want Diagnostics", err)
			}
			got := ds.Strings()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAcceptsTheContractFields(t *testing.T) {
	mustParse(t, src(
		`{{with .Customer.FirstName}}Happy birthday, {{.}}{{else}}Happy birthday{{end}}`,
		`{{.Customer.ID}} {{.Customer.LastName}} {{.Customer.Locale}} {{.Business.Name}} {{.Business.PostalAddress}}
{{.Campaign.ID}} {{.Campaign.Name}} {{.Item.ID}} {{.Item.Name}} {{.Item.URL}}
{{.Links.Unsubscribe}} {{.Links.Preferences}} {{.Links.Why}} {{index .Links.Survey 10}}
{{$.Customer.FirstName | default "there"}} {{range $score, $url := .Links.Survey}}{{$score}}={{$url}} {{end}}`,
		`<ol>{{range $score, $url := .Links.Survey}}<li><a href="{{$url}}">{{$score}}</a></li>{{end}}</ol>`,
	))
}

func TestRenderFooterAlwaysPresent(t *testing.T) {
	tmpl := mustParse(t, src("Hello", "Just a note.", "<html><body><p>Just a note.</p></body></html>"))
	d := sample()
	d.Business.Name = `Crumb & Co. <Bakery>`
	r, err := tmpl.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	wantText := "Just a note.\n\n-- \nCrumb & Co. <Bakery>, 12 Mill Lane, Bristol BS1 4DJ, UK\n" +
		"Why did I get this? https://crumb.example/why/sample-token\n" +
		"Your preferences: https://crumb.example/p/sample-token\n" +
		"Unsubscribe: https://crumb.example/u/sample-token\n"
	if diff := cmp.Diff(wantText, r.Text); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	for _, want := range []string{
		`<p>Crumb &amp; Co. &lt;Bakery&gt; &middot; 12 Mill Lane, Bristol BS1 4DJ, UK</p>`,
		`<a href="https://crumb.example/u/sample-token">Unsubscribe</a>`,
		`<a href="https://crumb.example/p/sample-token">Your preferences</a>`,
		`<a href="https://crumb.example/why/sample-token">Why did I get this?</a>`,
	} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, r.HTML)
		}
	}
	if !strings.HasSuffix(r.HTML, "</div>\n</body></html>") {
		t.Errorf("footer not placed before </body>:\n%s", r.HTML)
	}
}

func TestRenderRefusesMessageWithoutWayOut(t *testing.T) {
	tmpl := mustParse(t, src("Hello", "Body", ""))
	for _, clear := range []func(*Links){
		func(l *Links) { l.Unsubscribe = "" },
		func(l *Links) { l.Preferences = "" },
		func(l *Links) { l.Why = "javascript:alert(1)" },
	} {
		d := sample()
		clear(&d.Links)
		if _, err := tmpl.Render(d); !errors.Is(err, ErrNoWayOut) {
			t.Errorf("Render = %v, want ErrNoWayOut", err)
		}
	}
}

func TestRenderNames(t *testing.T) {
	tmpl := mustParse(t, src(
		`Happy birthday{{with .Customer.FirstName}}, {{.}}{{end}}`,
		`Dear {{.Customer.FirstName | default "friend"}},`,
		`<p>Dear {{.Customer.FirstName | default "friend"}},</p>`,
	))
	tests := []struct {
		name, first                string
		subject, textStart, inHTML string
	}{
		{"as given", "Zoë", "Happy birthday, Zoë", "Dear Zoë,", "<p>Dear Zoë,</p>"},
		{"capitals shown in title case", "MARIA", "Happy birthday, Maria", "Dear Maria,", "<p>Dear Maria,</p>"},
		{"mixed case kept", "McDonald", "Happy birthday, McDonald", "Dear McDonald,", "<p>Dear McDonald,</p>"},
		{"empty", "", "Happy birthday", "Dear friend,", "<p>Dear friend,</p>"},
		{"html escaped", `<b>Bo</b> & "Al"`, `Happy birthday, <b>Bo</b> & "Al"`, `Dear <b>Bo</b> & "Al",`,
			`<p>Dear &lt;b&gt;Bo&lt;/b&gt; &amp; &#34;Al&#34;,</p>`},
		{"header injection stripped", "Ann\r\nBcc: all@example.com", "Happy birthday, Ann Bcc: all@example.com",
			"Dear Ann Bcc: all@example.com,", "<p>Dear Ann Bcc: all@example.com,</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := sample()
			d.Customer.FirstName = tt.first
			r, err := tmpl.Render(d)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{r.Subject, strings.SplitN(r.Text, "\n", 2)[0], r.HTML[:strings.Index(r.HTML, "<div")]}
			if diff := cmp.Diff([]string{tt.subject, tt.textStart, tt.inHTML}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSubjectIsOneLine(t *testing.T) {
	tmpl := mustParse(t, src("  Hello\r\n  {{.Customer.FirstName}}\u2028there \n", "Body", ""))
	d := sample()
	d.Customer.FirstName = "Sam\nX-Evil: 1"
	r, err := tmpl.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("Hello Sam X-Evil: 1 there", r.Subject); diff != "" {
		t.Errorf("subject (-want +got):\n%s", diff)
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"capitals", "MARIA", "Maria"},
		{"hyphenated capitals", "JEAN-LUC", "Jean-Luc"},
		{"apostrophe", "O'BRIEN", "O'Brien"},
		{"accented capitals", "ZOË", "Zoë"},
		{"single initial kept", "J", "J"},
		{"mixed kept", "de la Cruz", "de la Cruz"},
		{"no case kept", "美咲", "美咲"},
		{"spaces collapsed", "  Ann \t Marie ", "Ann Marie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, DisplayName(tt.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEdgeCaseCustomers(t *testing.T) {
	cs := EdgeCaseCustomers()
	var empty, long, nonLatin, caps bool
	for _, c := range cs {
		n := utf8.RuneCountInString(c.FirstName + " " + c.LastName)
		empty = empty || c.FirstName == ""
		long = long || n == 60
		caps = caps || (c.FirstName != "" && strings.ToUpper(c.FirstName) == c.FirstName && strings.ToLower(c.FirstName) != c.FirstName)
		for _, r := range c.FirstName {
			nonLatin = nonLatin || r > 0x24F
		}
	}
	if !empty || !long || !nonLatin || !caps {
		t.Errorf("edge cases: empty=%v long=%v nonLatin=%v capitals=%v, want all", empty, long, nonLatin, caps)
	}
	tmpl := mustParse(t, src("Hi {{.Customer.FirstName}}", "Hi {{.Customer.FirstName}} {{.Customer.LastName}}", "<p>{{.Customer.FirstName}}</p>"))
	for _, c := range cs {
		d := sample()
		d.Customer = c
		r, err := tmpl.Render(d)
		if err != nil {
			t.Errorf("%s: %v", c.ID, err)
		}
		if strings.ContainsAny(r.Subject, "\r\n") {
			t.Errorf("%s: subject %q is not one line", c.ID, r.Subject)
		}
	}
}

func TestRenderConcurrently(t *testing.T) {
	tmpl := mustParse(t, src("Hi {{.Customer.FirstName}}", "Hello {{.Customer.FirstName}}", "<p>Hello {{.Customer.FirstName}}</p>"))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				d := sample()
				d.Customer.FirstName = fmt.Sprintf("N%d-%d", g, i)
				r, err := tmpl.Render(d)
				if err != nil {
					errs <- err
					return
				}
				if want := "Hi " + d.Customer.FirstName; r.Subject != want {
					errs <- fmt.Errorf("subject %q, want %q", r.Subject, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func BenchmarkRender(b *testing.B) {
	tmpl := mustParse(b, src(
		`Happy birthday{{with .Customer.FirstName}}, {{.}}{{end}}`,
		"Dear {{.Customer.FirstName | default \"friend\"}},\n\nHappy birthday from all of us at {{.Business.Name}}.\nCome by this week for a treat on us.\n",
		"<html><body><p>Dear {{.Customer.FirstName | default \"friend\"}},</p><p>Happy birthday from all of us at {{.Business.Name}}.</p></body></html>",
	))
	d := sample()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := tmpl.Render(d); err != nil {
				b.Fatal(err)
			}
		}
	})
}
