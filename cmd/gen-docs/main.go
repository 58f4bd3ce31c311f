// Command gen-docs writes the oauthkit CLI reference from the Cobra tree:
// Markdown pages (docs/cli, committed and checked for staleness in CI) and,
// with -man, man pages (for release archives).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/oauthkit/oauthkit/internal/cli"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gen-docs", flag.ContinueOnError)
	out := fs.String("out", "docs/cli", "directory for the Markdown reference")
	man := fs.String("man", "", "also write man pages to this directory")
	completions := fs.String("completions", "", "also write shell completion scripts to this directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ios, _, _, _ := iostreams.Test()
	root := cli.NewRootCmd(cmdutil.NewFactory(ios, func(string) string { return "" }))
	// Cobra adds these lazily on Execute; add them now so they are documented.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	disableAutoGen(root)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := doc.GenMarkdownTree(root, *out); err != nil {
		return err
	}
	if err := writeExitCodes(*out); err != nil {
		return err
	}
	if *man != "" {
		if err := os.MkdirAll(*man, 0o755); err != nil {
			return err
		}
		// A fixed date keeps the pages reproducible.
		date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		header := &doc.GenManHeader{Title: "OAUTHKIT", Section: "1", Source: "oauthkit", Manual: "oauthkit manual", Date: &date}
		if err := doc.GenManTree(root, header, *man); err != nil {
			return err
		}
	}
	if *completions != "" {
		if err := writeCompletions(root, *completions); err != nil {
			return err
		}
	}
	return nil
}

// writeExitCodes writes the help topic `oauthkit help exit-codes` (Cobra's
// generator skips help topics): the page the docs link to for exit codes,
// made from the same table as the command's text.
func writeExitCodes(dir string) error {
	page := "## oauthkit help exit-codes\n\nThe exit codes of oauthkit\n\n```\n" + cli.ExitCodesHelp() + "```\n\n" +
		"### SEE ALSO\n\n* [oauthkit](oauthkit.md)\t - The OAuth 2.0 bench for your machine and CI\n"
	return os.WriteFile(filepath.Join(dir, "oauthkit_help_exit-codes.md"), []byte(page), 0o644)
}

func writeCompletions(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	gens := map[string]func(string) error{
		"oauthkit.bash": func(p string) error { return root.GenBashCompletionFileV2(p, true) },
		"_oauthkit":     root.GenZshCompletionFile,
		"oauthkit.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
		"oauthkit.ps1":  root.GenPowerShellCompletionFileWithDesc,
	}
	for name, gen := range gens {
		if err := gen(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

func disableAutoGen(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGen(sub)
	}
}
