package csvimport

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/courtesyhq/courtesy"
)

// PlatformCustomer is one row of a shop platform's own customer export.
type PlatformCustomer struct {
	// Customer's ID is the platform's id under courtesy's scheme
	// (store.PlatformCustomerID), the one its webhooks give the same person.
	Customer courtesy.Customer
	// AcceptsMarketing is the export's marketing column said yes; Notice
	// quotes it. An export holds no consent time and no withdrawal: "no"
	// is also what a person never asked says.
	AcceptsMarketing bool
	Notice           string
}

// Platforms whose customer exports PlatformCustomers reads.
var Platforms = []string{"shopify", "woocommerce"}

// platformExport is how one platform writes its customer export.
type platformExport struct {
	title    string
	required []string
	row      func(rd *reader, platform string) (PlatformCustomer, error)
}

var exports = map[string]platformExport{
	// Customers > Export in the Shopify admin.
	"shopify": {
		title:    "Shopify's customer export (Customers > Export)",
		required: []string{"Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing"},
		row:      shopifyRow,
	},
	// Analytics > Customers > Download in the WooCommerce admin.
	"woocommerce": {
		title:    "WooCommerce's customer report (Analytics > Customers > Download)",
		required: []string{"Name", "Username", "Email"},
		row:      wooRow,
	},
}

// PlatformCustomers reads a platform's own customer export, calling fn with
// batches of good rows. A column the platform writes that is missing is
// named, with where the export is made.
func PlatformCustomers(platform, name string, r io.Reader, batch int, fn func([]Row[PlatformCustomer]) error) (courtesy.Diagnostics, error) {
	ex, ok := exports[platform]
	if !ok {
		return nil, fmt.Errorf("%q is not a platform whose export courtesy reads (%s)", platform, strings.Join(Platforms, ", "))
	}
	rd, err := newReader(name, r, nil, ex.required)
	if err != nil {
		var d courtesy.Diagnostic
		if errors.As(err, &d) && d.Field != "" {
			d.Message += "; is this " + ex.title + "?"
			return courtesy.Diagnostics{d}, nil
		}
		return diagOrErr(err)
	}
	return each(rd, batch, func(rd *reader) (PlatformCustomer, error) { return ex.row(rd, platform) }, fn)
}

func rowEmail(rd *reader, col string) (string, error) {
	email, err := NormalizeEmail(rd.get(col))
	if err != nil {
		return "", rd.bad(col, "%v", err)
	}
	return email, nil
}

func shopifyRow(rd *reader, platform string) (PlatformCustomer, error) {
	// The export writes ids as '7123456789 so that spreadsheets keep them whole.
	id := strings.TrimPrefix(rd.get("customer id"), "'")
	if id == "" {
		return PlatformCustomer{}, rd.bad("customer id", "is empty")
	}
	email, err := rowEmail(rd, "email")
	if err != nil {
		return PlatformCustomer{}, err
	}
	accepts := rd.get("accepts email marketing")
	var yes bool
	switch strings.ToLower(accepts) {
	case "yes", "true":
		yes = true
	case "no", "false", "":
	default:
		return PlatformCustomer{}, rd.bad("accepts email marketing", "%q is not yes or no", accepts)
	}
	return PlatformCustomer{
		Customer: courtesy.Customer{ID: courtesy.PlatformCustomerID(platform, id), Email: email,
			FirstName: rd.get("first name"), LastName: rd.get("last name")},
		AcceptsMarketing: yes,
		Notice:           "Shopify customer export: Accepts Email Marketing = " + accepts,
	}, nil
}

// wooRow reads a row of WooCommerce's customer report. It has no marketing
// column, and no customer id: a registered customer is known by the user
// name, a guest by the address.
func wooRow(rd *reader, platform string) (PlatformCustomer, error) {
	email, err := rowEmail(rd, "email")
	if err != nil {
		return PlatformCustomer{}, err
	}
	key := rd.get("username")
	if key == "" {
		sum := sha256.Sum256([]byte(strings.ToLower(email)))
		key = "guest-" + hex.EncodeToString(sum[:8])
	}
	first, last, _ := strings.Cut(rd.get("name"), " ")
	return PlatformCustomer{Customer: courtesy.Customer{ID: courtesy.PlatformCustomerID(platform, key), Email: email,
		FirstName: strings.TrimSpace(first), LastName: strings.TrimSpace(last)}}, nil
}
