package feedback_test

import (
	"fmt"
	"strings"

	"github.com/courtesyhq/courtesy/feedback"
)

func ExampleReturnPath() {
	addr := feedback.ReturnPath("bounce", "crumb.example", "m7Qx-2_a")
	token, ok := feedback.ParseReturnPath(addr, "bounce")
	fmt.Println(addr)
	fmt.Println(token, ok)
	// Output:
	// bounce+m7Qx-2_a@crumb.example
	// m7Qx-2_a true
}

func ExampleParseMessage() {
	dsn := `From: MAILER-DAEMON@mx.example.org
To: bounce+m7Qx-2_a@crumb.example
Content-Type: multipart/report; report-type=delivery-status; boundary=B

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; jo@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 no such user
--B--
`
	reports, err := feedback.ParseMessage(strings.NewReader(dsn))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range reports {
		fmt.Println(r.Kind, r.Recipient, r.Status, r.ReturnPath)
	}
	// Output:
	// hard-bounce jo@example.org 5.1.1 bounce+m7Qx-2_a@crumb.example
}
