package csvimport_test

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/courtesyhq/courtesy"
	"github.com/courtesyhq/courtesy/csvimport"
)

func readPlatform(t *testing.T, platform, file string) ([]csvimport.PlatformCustomer, []string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []csvimport.PlatformCustomer
	diags, err := csvimport.PlatformCustomers(platform, file, f, 2, func(rows []csvimport.Row[csvimport.PlatformCustomer]) error {
		for _, r := range rows {
			got = append(got, r.Value)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, diags.Strings()
}

func TestShopifyCustomerExport(t *testing.T) {
	got, diags := readPlatform(t, "shopify", "testdata/platforms/shopify-customers.csv")
	want := []csvimport.PlatformCustomer{
		{Customer: courtesy.Customer{ID: "shopify-115310627314723954", Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace"},
			AcceptsMarketing: true, Notice: "Shopify customer export: Accepts Email Marketing = yes"},
		{Customer: courtesy.Customer{ID: "shopify-207119551", Email: "charles@example.org", FirstName: "Charles", LastName: "Babbage"},
			Notice: "Shopify customer export: Accepts Email Marketing = no"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	wantDiags := []string{
		`testdata/platforms/shopify-customers.csv:4: email: "not-an-address" is not an email address`,
		`testdata/platforms/shopify-customers.csv:5: accepts email marketing: "maybe" is not yes or no`,
	}
	if diff := cmp.Diff(wantDiags, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestWooCommerceCustomerReport(t *testing.T) {
	got, diags := readPlatform(t, "woocommerce", "testdata/platforms/woocommerce-customers.csv")
	if len(diags) != 0 {
		t.Errorf("diagnostics: %v", diags)
	}
	if len(got) != 2 || got[0].Customer.ID != "woocommerce-ghopper" || got[0].Customer.LastName != "Hopper" ||
		!strings.HasPrefix(got[1].Customer.ID, "woocommerce-guest-") || got[1].AcceptsMarketing {
		t.Errorf("rows = %+v", got)
	}
}

func TestPlatformExportNamesTheMissingColumn(t *testing.T) {
	in := "Customer ID,First Name,Last Name,Email\n'1,Ada,Lovelace,ada@example.org\n"
	diags, err := csvimport.PlatformCustomers("shopify", "customers_export.csv", strings.NewReader(in), 10,
		func([]csvimport.Row[csvimport.PlatformCustomer]) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"customers_export.csv:1: Accepts Email Marketing: required column is missing; is this Shopify's customer export (Customers > Export)?"}
	if diff := cmp.Diff(want, diags.Strings()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
