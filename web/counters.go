package web

// The per-customer counters the pages keep (Deps.Counter), by what they
// count; an erasure drops them (CustomerCounterKeys).
const (
	counterPost  = "web:post:"  // the POSTs of one customer's links
	counterFresh = "web:fresh:" // the fresh links emailed to one customer
)

// CustomerCounterKeys are the counter keys that name the customer.
func CustomerCounterKeys(customerID string) []string {
	return []string{counterPost + customerID, counterFresh + customerID}
}
