package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// middayZone returns a fixed-offset zone in which it is now about noon, so
// that "today" lasts for hours in the recipients' time and quiet hours (which
// courtesy always has) are far away.
func middayZone(now time.Time) (name string, loc *time.Location) {
	off := 12 - now.UTC().Hour()
	off = max(-12, min(14, off))
	switch {
	case off > 0:
		name = fmt.Sprintf("Etc/GMT-%d", off) // POSIX sign: GMT-3 is UTC+3
	case off < 0:
		name = fmt.Sprintf("Etc/GMT+%d", -off)
	default:
		name = "UTC"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return "UTC", time.UTC
	}
	return name, loc
}

const campaignID = "birthday-chaos"

// writeShop writes a config, one birthday campaign due all day today and n
// customers with consent, all born today in zone.
func writeShop(dir string, n int, zone string, loc *time.Location, now time.Time) error {
	files := map[string]string{
		"courtesy.yaml": `business:
  name: "Chaos Bakery"
  postal_address: "1 Test Street, Testville TV1 1AA"
  from: "Chaos Bakery <hello@chaos.example>"
  reply_to: "hello@chaos.example"
  base_url: "https://chaos.example"
  timezone: "` + zone + `"
purposes:
  birthday: { title: "Birthday treats", description: "A greeting on your birthday." }
limits:
  per_customer: ["100/24h"]
  quiet_hours: none
smtp:
  max_per_second: 100000
  max_connections: 4
campaigns_dir: campaigns
templates_dir: templates
data_dir: data
`,
		"campaigns/birthday.yaml": `id: ` + campaignID + `
name: Birthday chaos
kind: birthday
purpose: birthday
send: { at: "00:00", window: 24h }
expires: 1d
template:
  subject: "Happy birthday, {{.Customer.FirstName}}"
  text: birthday.txt
tone: warm
`,
		"templates/birthday.txt": "Dear {{.Customer.FirstName}},\n\nHappy birthday from all of us at {{.Business.Name}}. Your next slice is on us.\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	birthday := now.In(loc).Format("01-02")
	granted := now.Add(-time.Hour).UTC().Format(time.RFC3339)
	return writeCSVs(dir, n, func(i int) (string, string) {
		id := customerID(i)
		return fmt.Sprintf("%s,%s@chaos.example,Ana,Lee,%s,%s,en", id, id, birthday, zone),
			fmt.Sprintf("%s,birthday,granted,form,chaos-signup-v1,%s", id, granted)
	})
}

func customerID(i int) string { return fmt.Sprintf("c%06d", i) }

func writeCSVs(dir string, n int, row func(int) (string, string)) error {
	cf, err := os.Create(filepath.Join(dir, "customers.csv"))
	if err != nil {
		return err
	}
	defer cf.Close()
	kf, err := os.Create(filepath.Join(dir, "consents.csv"))
	if err != nil {
		return err
	}
	defer kf.Close()
	cw, kw := bufio.NewWriter(cf), bufio.NewWriter(kf)
	fmt.Fprintln(cw, "id,email,first_name,last_name,birthday,timezone,locale")
	fmt.Fprintln(kw, "customer_id,purpose,status,source,notice,recorded_at")
	for i := 1; i <= n; i++ {
		c, k := row(i)
		fmt.Fprintln(cw, c)
		fmt.Fprintln(kw, k)
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	return kw.Flush()
}
