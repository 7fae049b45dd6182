package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Exit codes, as the contract gives them.
const (
	exitOK      = 0
	exitFailure = 1 // the work failed
	exitUsage   = 2 // bad usage or invalid input
)

type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// invocation is one run of a command: its streams, environment and flags.
type invocation struct {
	ctx    context.Context
	stdio  stdio
	getenv func(string) string
	config string // --config
	// logLevel is the level logged at unless COURTESY_LOG_LEVEL says
	// otherwise: the long-running roles say what they do; one-shot
	// commands speak only of problems.
	logLevel string
}

type command struct {
	usage string // after "courtesy "
	about string
	run   func(inv *invocation, args []string) error
}

// commands holds every command; each file that adds one registers it in
// its init function.
var commands = map[string]command{}

func init() {
	for name, c := range map[string]command{
		"serve":     {"serve", "scheduler, worker and web pages in one process", cmdServe},
		"scheduler": {"scheduler", "plan due messages (one active at a time)", cmdScheduler},
		"worker":    {"worker [--concurrency N]", "send planned messages", cmdWorker},
		"web":       {"web", "serve the customers' pages, the API and the dashboard", cmdWeb},
		"run-once":  {"run-once [--at TIME]", "plan and send everything due at TIME, then exit", cmdRunOnce},
		"demo":      {"demo [--no-serve] [--dir DIR]", "the bakery example end to end on this machine", cmdDemo},
		"lint":      {"lint [DIR] [--format text|json]", "check config, campaigns, templates and tone", cmdLint},
		"import":    {"import customers|consents|events FILE.csv [--from shopify|woocommerce]", "upsert from CSV (or a shop platform's own customer export); bad rows are reported and skipped", cmdImport},
		"log":       {"log sends|optouts|decisions|suppressions [--campaign ID] [--customer ID] [--since DUR] [--format table|csv|json]", "the owner's logs", cmdLog},
		"export":    {"export CUSTOMER", "everything held about a customer (an ID or an email address), as JSON", cmdExport},
		"erase":     {"erase CUSTOMER", "erase a customer (an ID or an email address), keeping only a keyed fingerprint that blocks re-import", cmdErase},
		"campaign":  {"campaign pause|resume ID", "pause or resume a campaign", cmdCampaign},
	} {
		commands[name] = c
	}
}

// errUsage marks an error as bad usage or invalid input (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError ends a command with a code after it has said why itself.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func run(ctx context.Context, args []string, io stdio, getenv func(string) string) int {
	if len(args) == 0 {
		// No command is bad usage: a script that forgot it must not pass.
		printUsage(io.err)
		return exitUsage
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(io.out)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(io.err, "courtesy: unknown command %q\n\n", args[0])
		printUsage(io.err)
		return exitUsage
	}
	inv := &invocation{ctx: ctx, stdio: io, getenv: getenv, config: getenv("COURTESY_CONFIG"), logLevel: "warn"}
	if inv.config == "" {
		inv.config = "courtesy.yaml"
	}
	err := cmd.run(inv, args[1:])
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, new(exitError)):
		var e exitError
		errors.As(err, &e)
		return e.code
	case errors.As(err, new(usageError)):
		fmt.Fprintln(io.err, err)
		return exitUsage
	default:
		fmt.Fprintf(io.err, "courtesy %s: %v\n", args[0], err)
		return exitFailure
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "courtesy sends the few messages a good shop would send by hand, and no others.")
	fmt.Fprintln(w, "\nUsage: courtesy COMMAND [--config FILE] [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].about)
	}
	fmt.Fprintln(w, "\nEvery command takes --config FILE (default courtesy.yaml, or $COURTESY_CONFIG).")
}

// flags returns a flag set for a command with the common --config flag.
func (inv *invocation) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("courtesy "+name, flag.ContinueOnError)
	fs.SetOutput(inv.stdio.err)
	fs.StringVar(&inv.config, "config", inv.config, "the configuration `file`")
	return fs
}

// parse reads flags wherever they stand among the arguments, so
// `courtesy lint examples/bakery --format json` works as people type it.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parsePositional parses the flags and checks that between min and max
// positional arguments remain; otherwise it answers with the command's
// usage line.
func parsePositional(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	pos, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) < min || len(pos) > max {
		return nil, usagef("usage: courtesy %s", commands[strings.TrimPrefix(fs.Name(), "courtesy ")].usage)
	}
	return pos, nil
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}
