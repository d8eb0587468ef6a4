package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// usage lists the modes of the binary. Each prints its own flags with -h.
const usage = `Usage:
  whatsapp-operator [flags]                 run the operator
  whatsapp-operator webhook-server [flags]  run one MetaProvider's webhook server
  whatsapp-operator relay [flags]           run one MetaProvider's outbound relay
  whatsapp-operator help                    print this text

Run a mode with -h for its flags.`

// Exit codes of the command line.
const (
	exitOK    = 0
	exitUsage = 2
)

// dispatch runs the mode args[0] names, or the operator when args is empty
// or starts with a flag. Anything else is refused with the usage before
// any mode starts, so a typo (`relya --help`) never starts the operator
// against whatever kubeconfig it would find.
func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return runOperator()
	}
	switch args[0] {
	case "webhook-server":
		return runWebhookServer(args[1:])
	case "relay":
		return runRelay(args[1:])
	case "help":
		fmt.Fprintln(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "whatsapp-operator: unknown command %q\n\n%s\n", args[0], usage)
	return exitUsage
}

// refuseArguments reports arguments left after a mode's flags were parsed,
// which no mode takes, and returns the exit code; exitOK when there are none.
func refuseArguments(mode string, rest []string) int {
	if len(rest) == 0 {
		return exitOK
	}
	name := "whatsapp-operator"
	if mode != "" {
		name += " " + mode
	}
	fmt.Fprintf(os.Stderr, "%s: unexpected argument %q (flags start with -; no mode takes arguments)\n\n%s\n", name, rest[0], usage)
	return exitUsage
}
