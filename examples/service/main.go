// Command items is the example service that examples/service scans: a small
// HTTP API (GET /healthz, GET /items, POST /items) over a file of item names,
// and its command-line client (items list, items add NAME). See README.md.
package main

import (
	"os"

	"github.com/sysgate/sysgate/examples/service/items"
)

func main() {
	os.Exit(items.Main(os.Args[1:], os.Stdout, os.Stderr, nil))
}
