package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/courtesyhq/courtesy/campaigns"
	"github.com/courtesyhq/courtesy/internal/testenv"
	"github.com/courtesyhq/courtesy/mailer/mailtest"
	"github.com/courtesyhq/courtesy/shop"
	"github.com/courtesyhq/courtesy/worker"
)

// result is what one run of the command printed and returned.
type result struct {
	code     int
	out, err string
}

// runCmd runs the command in-process, as main does, with the given
// environment on top of an empty one.
func runCmd(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errb}, getenv)
	return result{code: code, out: out.String(), err: errb.String()}
}

// bakeryShop copies the bakery example into a temporary directory and returns
// its config path and the environment that points it at test services.
func bakeryShop(t *testing.T, smtpURL string) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../examples/bakery")); err != nil {
		t.Fatal(err)
	}
	redisURL := testenv.RedisURL(t, testenv.RedisDBCommand)
	env := map[string]string{
		"REDIS_URL":          redisURL,
		"DATABASE_URL":       "sqlite://" + filepath.Join(dir, "data", "courtesy.db"),
		"SMTP_URL":           smtpURL,
		"COURTESY_LINK_KEYS": "k1:" + strings.Repeat("QUJD", 11),
		"COURTESY_LOG_LEVEL": "error",
	}
	return filepath.Join(dir, "courtesy.yaml"), env
}

func mustRun(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	r := runCmd(t, env, args...)
	if r.code != 0 {
		t.Fatalf("courtesy %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r
}

func TestRunOnceSendsToTodaysConsentedBirthdaysOnce(t *testing.T) {
	sink := mailtest.NewSink(t)
	cfg, env := bakeryShop(t, sink.URL())
	dir := filepath.Dir(cfg)
	for _, kind := range []string{"customers", "consents"} {
		mustRun(t, env, "import", kind, filepath.Join(dir, kind+".csv"), "--config", cfg)
	}
	// 10:00 in London on 1 December: the bakery's December birthdays who
	// live in Europe (where it is 10:00 or 11:00) are due.
	r := mustRun(t, env, "run-once", "--config", cfg, "--at", "2026-12-01T10:00:00Z")
	if !strings.Contains(r.out, "birthday-treat") {
		t.Fatalf("summary does not mention the birthday campaign:\n%s", r.out)
	}
	got := map[string]bool{}
	languages := map[string]bool{}
	for _, m := range sink.Messages() {
		for _, to := range m.To {
			if got[to] {
				t.Errorf("%s received two messages", to)
			}
			got[to] = true
		}
		if c := m.Header.Get("X-Courtesy-Campaign"); c != "birthday-treat" {
			t.Errorf("unexpected campaign %q", c)
		}
		// The Madrid customer has a Spanish greeting; the Copenhagen one
		// has no Danish template and gets all of it in English.
		lang := map[string]string{"jose.martinez@example.com": "es", "soren.kristensen@example.com": "en"}[m.To[0]]
		if lang == "" {
			continue
		}
		languages[lang] = true
		c, err := m.Content()
		if err != nil {
			t.Fatal(err)
		}
		footer := map[string]string{"es": "\nDarse de baja: https://", "en": "\nUnsubscribe: https://"}[lang]
		if got := m.Header.Get("Content-Language"); got != lang || !strings.Contains(c.Text, footer) || !strings.Contains(c.HTML, lang+`">`) {
			t.Errorf("%s: Content-Language %q, want %q with the footer %q in it:\n%s\n%s", m.To[0], got, lang, footer, c.Text, c.HTML)
		}
	}
	if !languages["es"] || !languages["en"] {
		t.Errorf("the Madrid and the Copenhagen customers were not both written to: %v", languages)
	}
	// Who should have been written to: a birthday on 1 December, it is
	// between 09:30 and 12:30 where they live, birthday consent granted
	// and not withdrawn, and not in the control group.
	want := expectedBirthdayRecipients(t, cfg)
	for addr := range want {
		if !got[addr] {
			t.Errorf("%s was due but received nothing", addr)
		}
	}
	for addr := range got {
		if !want[addr] {
			t.Errorf("%s received a message but was not due", addr)
		}
	}
	if len(got) == 0 {
		t.Fatal("nobody received anything")
	}

	before := sink.Count()
	r2 := mustRun(t, env, "run-once", "--config", cfg, "--at", "2026-12-01T10:00:00Z")
	if sink.Count() != before {
		t.Errorf("the second run sent %d more messages", sink.Count()-before)
	}
	if !strings.Contains(r2.out, "Nothing was due") {
		t.Errorf("the second run recorded new decisions:\n%s", r2.out)
	}
}

// expectedBirthdayRecipients works out from the example's CSV files, by a
// rule written here rather than taken from the planner, who is due at
// 10:00 UTC on 1 December: a 1 December birthday, 09:30–12:30 local time
// (the campaign's send.at and window), the last birthday consent record a
// grant, and not in the campaign's control group.
func expectedBirthdayRecipients(t *testing.T, cfg string) map[string]bool {
	t.Helper()
	dir := filepath.Dir(cfg)
	consented := consentedTo(t, filepath.Join(dir, "consents.csv"), "birthday")
	r := shop.Load(cfg)
	var birthday *campaigns.Campaign
	for _, c := range r.Campaigns {
		if c.ID == "birthday-treat" {
			birthday = c
		}
	}
	if birthday == nil {
		t.Fatal("no birthday-treat campaign in the example")
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	want := map[string]bool{}
	for _, row := range readCSV(t, filepath.Join(dir, "customers.csv")) {
		id, email, bday, tz := row[0], row[1], row[4], row[5]
		if !strings.HasSuffix(bday, "12-01") || !consented[id] {
			continue
		}
		if tz == "" {
			tz = "Europe/London"
		}
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Fatal(err)
		}
		local := now.In(loc)
		minutes := local.Hour()*60 + local.Minute()
		if local.Day() != 1 || minutes < 9*60+30 || minutes >= 12*60+30 {
			continue
		}
		if control, _ := campaigns.Assign(birthday, id); control {
			continue
		}
		want[strings.ToLower(email)] = true
	}
	return want
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

// consentedTo returns the customer ids whose last record for purpose in the
// consents file is a grant.
func consentedTo(t *testing.T, path, purpose string) map[string]bool {
	t.Helper()
	last := map[string]string{}
	for _, f := range readCSV(t, path) {
		if f[1] == purpose || f[1] == "*" {
			last[f[0]] = f[2]
		}
	}
	out := map[string]bool{}
	for id, status := range last {
		if status == "granted" {
			out[id] = true
		}
	}
	return out
}

func TestDemoWritesWellFormedMessages(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"REDIS_URL":          testenv.RedisURL(t, testenv.RedisDBCommand),
		"COURTESY_LOG_LEVEL": "error",
	}
	outbox := filepath.Join(dir, "outbox")
	r := mustRun(t, env, "demo", "--no-serve", "--dir", filepath.Join(dir, "demo"), "--outbox", outbox)
	for _, want := range []string{"sent", "suppressed:no-consent", "birthday-treat", "saved-reminder", "after-purchase-survey"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("the decision table lacks %q:\n%s", want, r.out)
		}
	}
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(files) == 0 {
		t.Fatal("no .eml files in the outbox")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s does not parse as RFC 5322: %v", f, err)
		}
		lu := m.Header["List-Unsubscribe"]
		if len(lu) != 1 || !strings.HasPrefix(lu[0], "<https://") {
			t.Errorf("%s: List-Unsubscribe = %q, want exactly one https URL", f, lu)
		}
		if lp := m.Header["List-Unsubscribe-Post"]; len(lp) != 1 || lp[0] != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: List-Unsubscribe-Post = %q", f, lp)
		}
		for _, h := range []string{"Message-Id", "Date", "From", "To", "Subject"} {
			if n := len(m.Header[h]); n != 1 {
				t.Errorf("%s: %d %s headers", f, n, h)
			}
		}
	}
	if !strings.Contains(r.out, fmt.Sprintf("%d messages written", len(files))) {
		t.Errorf("the demo's count does not match the outbox (%d files):\n%s", len(files), r.out)
	}
}

func TestLint(t *testing.T) {
	r := runCmd(t, nil, "lint", "../../examples/bakery")
	if r.code != 0 {
		t.Fatalf("the bakery example does not lint clean: exit %d\n%s%s", r.code, r.out, r.err)
	}

	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../examples/bakery")); err != nil {
		t.Fatal(err)
	}
	bad := "id: bad-one\nname: Bad one\nkind: birthday\npurpose: birthdays\nsend:\n  at: \"25:00\"\ntemplate:\n  subject: \"Hello {{.Customer.Shoe}}\"\n  text: birthday.txt\n"
	if err := os.WriteFile(filepath.Join(dir, "campaigns", "bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, nil, "lint", dir)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.out)
	}
	for _, want := range []string{
		"campaigns/bad.yaml:4:", "purpose",
		"campaigns/bad.yaml:6:", `"25:00" is not a time of day`,
		"campaigns/bad.yaml:8:", ".Customer.Shoe",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, r.out)
		}
	}
	r = runCmd(t, nil, "lint", dir, "--format", "json")
	if r.code != 1 || !strings.Contains(r.out, `"field": "send.at"`) {
		t.Errorf("json: exit %d\n%s", r.code, r.out)
	}
}

// TestLintChecksEveryLanguage: a translation is checked like the default
// message — the data it reads and its words.
func TestLintChecksEveryLanguage(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../examples/bakery")); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, "templates", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("birthday.es.txt", "Hola {{.Customer.LastName}}:\n\n¡Feliz cumpleaños de parte de {{.Business.Name}}!\n")
	r := runCmd(t, nil, "lint", dir)
	for _, want := range []string{
		"templates/birthday.es.txt:1:1: error: translation: the es translation does not read .Customer.FirstName, which the default message reads at templates/birthday.txt:1:8",
		"templates/birthday.es.txt:1:8: error: translation: the es translation reads .Customer.LastName, which the default message (templates/birthday.txt) does not",
	} {
		if r.code != 1 || !strings.Contains(r.out, want) {
			t.Errorf("exit %d, want 1 and %q:\n%s", r.code, want, r.out)
		}
	}

	write("birthday.es.txt", "{{with .Customer.FirstName}}Hola {{.}}:{{end}}\n\nFELIZ CUMPLEAÑOS DE PARTE DE TODO EL EQUIPO DE {{.Business.Name}}!!!\n")
	r = runCmd(t, nil, "lint", dir)
	if !strings.Contains(r.out, "templates/birthday.es.txt:3:") {
		t.Errorf("the shouting Spanish text was not reported at its line:\n%s", r.out)
	}
}

func TestImportReportsBadRowsAndKeepsTheRest(t *testing.T) {
	cfg, env := bakeryShop(t, "file://"+t.TempDir())
	csv := filepath.Join(t.TempDir(), "customers.csv")
	rows := "id,email,first_name,last_name,birthday,timezone,locale\n" +
		"a1,ann@example.com,Ann,,04-12,Europe/London,\n" +
		"a2,ann.example.com,Bob,,,,\n" +
		"a3,cy@example.com,Cy,,1992-02-29,,\n" +
		"a4,di@example.com,Di,,,Moon/Base,\n" +
		"a5,ed@example.com,Ed,,,,\n"
	if err := os.WriteFile(csv, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, env, "import", "customers", csv, "--config", cfg)
	if r.code != 2 {
		t.Errorf("exit %d, want 2 for a file with bad rows", r.code)
	}
	if !strings.Contains(r.out, "3 customers imported, 2 rows skipped") {
		t.Errorf("summary: %s", r.out)
	}
	lines := strings.Split(strings.TrimSpace(r.err), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "customers.csv:3: email:") || !strings.Contains(lines[1], "customers.csv:5: timezone:") {
		t.Errorf("reported problems:\n%s", r.err)
	}
	for _, id := range []string{"a1", "a3", "a5"} {
		if r := runCmd(t, env, "export", id, "--config", cfg); r.code != 0 {
			t.Errorf("%s was not imported: %s", id, r.err)
		}
	}
	if r := runCmd(t, env, "export", "a2", "--config", cfg); r.code == 0 {
		t.Error("the bad row a2 was imported")
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"run-once", "--at", "tomorrow", "--config", "../../examples/bakery/courtesy.yaml"}, 2},
		{[]string{"import", "shoes", "x.csv", "--config", "../../examples/bakery/courtesy.yaml"}, 2},
		{[]string{"lint", "--format", "yaml", "../../examples/bakery"}, 2},
		{[]string{"help"}, 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if r := runCmd(t, nil, tt.args...); r.code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", r.code, tt.code, r.out, r.err)
			}
		})
	}
}

func TestEraseLeavesOnlyTheHash(t *testing.T) {
	cfg, env := bakeryShop(t, "file://"+t.TempDir())
	dir := filepath.Dir(cfg)
	mustRun(t, env, "import", "customers", filepath.Join(dir, "customers.csv"), "--config", cfg)
	if r := runCmd(t, env, "erase", "c001", "--config", cfg); r.code != 0 || !strings.Contains(r.out, "erased") {
		t.Fatalf("erase: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := runCmd(t, env, "export", "c001", "--config", cfg); r.code != 1 || !strings.Contains(r.err, `no customer "c001"`) {
		t.Errorf("export after erase: exit %d\n%s", r.code, r.err)
	}
	if r := runCmd(t, env, "erase", "nobody", "--config", cfg); r.code != 1 || !strings.Contains(r.err, `no customer "nobody"`) {
		t.Errorf("erase of an unknown customer: exit %d\n%s", r.code, r.err)
	}
	// Importing the same file again brings everyone back but the erased address.
	r := runCmd(t, env, "import", "customers", filepath.Join(dir, "customers.csv"), "--config", cfg)
	if r.code != 2 || !strings.Contains(r.err, "customers.csv:2: email: this address asked to be erased") {
		t.Errorf("re-import: exit %d\n%s%s", r.code, r.out, r.err)
	}
}

// TestDemoKeepsToARedisDatabaseOfItsOwn: without REDIS_URL the demo puts
// its queue and limits in database 15, not in the database 0 a shop on the
// same Redis uses, whose workers would otherwise take the demo's tasks and
// the demo the shop's.
func TestDemoKeepsToARedisDatabaseOfItsOwn(t *testing.T) {
	if testenv.RedisAddr() != "127.0.0.1:6379" {
		t.Skipf("the demo's default Redis is 127.0.0.1:6379 and the tests' is %s", testenv.RedisAddr())
	}
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: 15})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		if testenv.InCI() {
			t.Fatalf("Redis at 127.0.0.1:6379: %v", err)
		}
		t.Skipf("Redis at 127.0.0.1:6379: %v (scripts/services redis starts one)", err)
	}
	before, err := rdb.Keys(ctx, "courtesy-demo:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mustRun(t, map[string]string{"COURTESY_LOG_LEVEL": "error"},
		"demo", "--no-serve", "--dir", filepath.Join(dir, "demo"), "--outbox", filepath.Join(dir, "outbox"))
	after, err := rdb.Keys(ctx, "courtesy-demo:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(after) <= len(before) {
		t.Errorf("database 15 holds %d demo keys after the demo, %d before: the demo kept its limits elsewhere", len(after), len(before))
	}
	if ok, err := rdb.SIsMember(ctx, "asynq:queues", worker.Queue).Result(); err != nil || !ok {
		t.Errorf("database 15 does not know the queue %q (%v): the demo queued elsewhere", worker.Queue, err)
	}
}
