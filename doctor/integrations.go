package doctor

import (
	"fmt"
	"strings"
)

// Integration is what the configuration says of one shop platform whose
// webhooks courtesy can take.
type Integration struct {
	// Name is the platform: shopify, woocommerce or stripe.
	Name string
	// SecretEnv is the variable whose secret turns it on; On says it is set.
	SecretEnv string
	On        bool
	// Topics are the webhook topics taken; ConsentPurposes the purposes
	// its marketing flag grants and withdraws.
	Topics, ConsentPurposes []string
}

// Integrations says, a line per platform, which ones are on, where their
// webhooks are to be sent, what they bring and what their marketing flag
// means; baseURL is where the platform reaches courtesy.
func Integrations(baseURL string, ins []Integration) []string {
	var out []string
	for _, in := range ins {
		if !in.On {
			out = append(out, fmt.Sprintf("%s: off (set %s to turn it on)", in.Name, in.SecretEnv))
			continue
		}
		flag := "its marketing flag records no consent (integrations." + in.Name + ".consent_purposes is empty)"
		if len(in.ConsentPurposes) > 0 {
			flag = "its marketing flag grants and withdraws " + strings.Join(in.ConsentPurposes, ", ")
		}
		out = append(out, fmt.Sprintf("%s: on: POST %s/hooks/%s takes %s; %s", in.Name, baseURL, in.Name,
			strings.Join(in.Topics, ", "), flag))
	}
	return out
}
