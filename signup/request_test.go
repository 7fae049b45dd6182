package signup

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
)

var known = []string{"birthday", "reminders", "surveys"}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		form Form
		want Request
		errs []FieldError
	}{
		{
			name: "all fields, purposes in the business's order",
			form: Form{Email: " ada@example.com ", FirstName: " Ada ", Birthday: "1990-03-14", Locale: "pt-BR", Purposes: []string{"surveys", "birthday", "surveys"}},
			want: Request{Email: "ada@example.com", FirstName: "Ada", Birthday: courtesy.MonthDay{Month: time.March, Day: 14}, Locale: "pt-BR", Purposes: []string{"birthday", "surveys"}},
		},
		{
			name: "address only",
			form: Form{Email: "ada@example.com", Purposes: []string{"reminders"}},
			want: Request{Email: "ada@example.com", Purposes: []string{"reminders"}},
		},
		{
			name: "bad address and no purpose",
			form: Form{Email: "Ada <ada@example.com>"},
			errs: []FieldError{{"email", "invalid", "is not an email address"}, {"purposes", "none", "tick at least one topic"}},
		},
		{
			name: "no address, unknown purpose, bad birthday, bad locale",
			form: Form{Birthday: "02-30", Locale: "en_GB!", Purposes: []string{"news"}},
			errs: []FieldError{{"email", "required", "is required"}, {"birthday", "invalid", "is not a day of the year (month and day)"},
				{"locale", "invalid", "is not a language tag such as en or pt-BR"}, {"purposes", "unknown", "names a topic we do not offer"}},
		},
		{
			name: "a line break in the name",
			form: Form{Email: "ada@example.com", FirstName: "Ada\r\nBcc: x@example.com", Purposes: []string{"birthday"}},
			errs: []FieldError{{"first_name", "invalid", "contains characters a name does not have"}},
		},
		{
			name: "address without a domain dot",
			form: Form{Email: "ada@localhost", Purposes: []string{"birthday"}},
			errs: []FieldError{{"email", "invalid", "is not an email address"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := Check(tt.form, known)
			if diff := cmp.Diff(tt.errs, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}
