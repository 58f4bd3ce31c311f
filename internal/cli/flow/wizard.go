package flow

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/fileutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
	"github.com/oauthkit/oauthkit/internal/tui/wizard"
)

// grantNames are the grant subcommands, as the usage error lists them.
const grantNames = "authcode, client-credentials, password, implicit or refresh"

// wizardRun is `oauthkit flow` without a grant. input gives each form
// the reader its keys come from (nil: the terminal; tests give pipes, one
// per form, since a pipe read cannot be cancelled when a form ends).
type wizardRun struct {
	f     *cmdutil.Factory
	input func() io.Reader
}

// run asks the questions on a terminal, runs the grant command they make
// (the same code as typing it) and offers to save the answers as a profile.
func (w *wizardRun) run(ctx context.Context, args []string) error {
	ios := w.f.IOStreams
	if len(args) > 0 {
		return cmdutil.UsageErrorf("unknown grant %q: use %s", args[0], grantNames)
	}
	if !ios.CanPrompt() {
		return cmdutil.UsageErrorf("name a grant: oauthkit flow %s (on a terminal, 'oauthkit flow' alone asks for everything)",
			strings.ReplaceAll(strings.ReplaceAll(grantNames, ", ", "|"), " or ", "|"))
	}
	styles := theme.New(ios.ErrOut, ios.ColorEnabled())
	path, pf := w.profiles()
	reg := &wizardRegistration{f: w.f} // an empty client ID registers one (RFC 7591)
	m, err := w.ask(wizard.NewFlow(wizard.FlowConfig{Profiles: pf.Profiles, Styles: styles, Command: func(a wizard.FlowAnswers) string {
		// shown after "the same as: ", on lines the screen does not re-wrap
		return commandLines(commandParts(a, pf.Profiles[a.Profile]), commandWidth)
	}, CanRegister: reg.offered}))
	if err != nil {
		return err
	}
	a := wizard.FlowAnswersOf(m.Values())
	var base *flow.Profile
	if a.Profile != "" {
		base = pf.Profiles[a.Profile]
	}
	if a.ClientID == "" {
		dir := ""
		if path != "" {
			dir = filepath.Dir(path)
		}
		if err := reg.register(ctx, &a, dir); err != nil {
			return err
		}
	}
	cmdArgs, env := wizardArgs(a, base)
	f := w.wizardFactory(env)
	if a.RefreshToken != "" {
		// --refresh-token-file - reads it from here, not from the terminal
		ios := *f.IOStreams
		ios.In = strings.NewReader(a.RefreshToken)
		f.IOStreams = &ios
	}
	sub := grantCommand(f, a.Grant)
	sub.SetArgs(cmdArgs)
	sub.SilenceErrors, sub.SilenceUsage = true, true
	if err := sub.ExecuteContext(ctx); err != nil {
		return err
	}
	if path == "" {
		return nil
	}
	return w.offerSave(path, pf, a, reg.profileBase(base), styles)
}

// profiles reads the profile file; a file that cannot be read is named on
// standard error, and then nothing is offered from it or saved into it.
func (w *wizardRun) profiles() (string, *flow.ProfileFile) {
	path, err := flow.ProfilePath(w.f.Getenv)
	if err != nil {
		return "", &flow.ProfileFile{}
	}
	pf, err := flow.ReadProfiles(path)
	if err != nil {
		fmt.Fprintf(w.f.IOStreams.ErrOut, "warning: %v: no profile is offered or saved\n", err)
		return "", &flow.ProfileFile{}
	}
	return path, pf
}

// ask runs a form on standard error; a cancelled form exits 130.
func (w *wizardRun) ask(m wizard.Model) (wizard.Model, error) {
	opts := []tea.ProgramOption{tea.WithOutput(w.f.IOStreams.ErrOut)}
	if w.input != nil {
		opts = append(opts, tea.WithInput(w.input()))
	} else {
		opts = append(opts, tea.WithInputTTY())
	}
	final, err := tea.NewProgram(m, opts...).Run()
	if err != nil {
		return m, cmdutil.Failf("the wizard: %v", err)
	}
	fm, ok := final.(wizard.Model)
	if !ok || fm.Cancelled() || !fm.Done() {
		return fm, cmdutil.ErrCancelled
	}
	return fm, nil
}

// wizardFactory is the factory with the typed secrets as the environment
// variables the grant commands read: they reach the command as they would
// from a script, never through arguments.
func (w *wizardRun) wizardFactory(env map[string]string) *cmdutil.Factory {
	f := *w.f
	getenv := w.f.Getenv
	f.Getenv = func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if getenv == nil {
			return ""
		}
		return getenv(k)
	}
	return &f
}

// grantCommand is a fresh grant subcommand.
func grantCommand(f *cmdutil.Factory, grant string) *cobra.Command {
	switch grant {
	case "authcode":
		return NewCmdAuthcode(f, nil)
	case "implicit":
		return NewCmdImplicit(f, nil)
	case "password":
		return NewCmdPassword(f, nil)
	case "refresh":
		return NewCmdRefresh(f, nil)
	}
	return NewCmdClientCredentials(f, nil)
}

// wizardArgs turns the answers into the grant command's arguments and the
// secrets into environment variables. With a profile, answers equal to
// the profile's are left to it, and one emptied on purpose is passed empty
// so that the profile does not fill it back.
func wizardArgs(a wizard.FlowAnswers, base *flow.Profile) ([]string, map[string]string) {
	var args []string
	if a.Profile != "" {
		args = append(args, "--profile", a.Profile)
	}
	// What the profile already says is left to it.
	add := func(flag, v, fromProfile string) {
		switch {
		case v == fromProfile:
		case v != "":
			args = append(args, flag, v)
		default:
			args = append(args, flag+"=")
		}
	}
	p := base
	if p == nil {
		p = &flow.Profile{}
	}
	add("--issuer", a.Issuer, p.Issuer)
	if a.Issuer == "" {
		add("--authorize-url", a.AuthorizeURL, p.AuthorizeURL)
		add("--token-url", a.TokenURL, p.TokenURL)
	}
	add("--client-id", a.ClientID, p.ClientID)
	if a.Grant == "password" {
		add("--username", a.Username, p.Username)
	}
	add("--scope", strings.Join(a.Scopes, " "), strings.Join(p.Scopes, " "))
	env := map[string]string{}
	if a.ClientSecret != "" {
		env["OAUTHKIT_CLIENT_SECRET"] = a.ClientSecret
	}
	if a.Password != "" {
		env["OAUTHKIT_PASSWORD"] = a.Password
		if p.PasswordFile != "" {
			args = append(args, "--password-file=") // the typed one, not the profile's file
		}
	}
	if a.RefreshToken != "" {
		// Read from the command's standard input, which run sets to the
		// typed token: never an argument (and no argv warning).
		args = append(args, "--refresh-token-file", "-")
	}
	return args, env
}

// displayCommand is the command line the answers stand for, to type next
// time; secrets appear as the variables or file that give them.
func displayCommand(a wizard.FlowAnswers, base *flow.Profile) string {
	return strings.Join(commandParts(a, base), " ")
}

// commandParts are the pieces of the command line that stay together: the
// variables and the command, then each flag with its value.
func commandParts(a wizard.FlowAnswers, base *flow.Profile) []string {
	args, env := wizardArgs(a, base)
	var head strings.Builder
	for _, k := range []string{"OAUTHKIT_CLIENT_SECRET", "OAUTHKIT_PASSWORD"} {
		if _, ok := env[k]; ok {
			head.WriteString(k + "=… ")
		}
	}
	head.WriteString("oauthkit flow " + a.Grant)
	parts := []string{head.String()}
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--refresh-token-file" && i+1 < len(args) && args[i+1] == "-":
			parts = append(parts, "--refresh-token-file FILE")
			i++
		case strings.HasPrefix(args[i], "--") && !strings.Contains(args[i], "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--"):
			parts = append(parts, args[i]+" "+shellWord(args[i+1]))
			i++
		default:
			parts = append(parts, shellWord(args[i]))
		}
	}
	return parts
}

// commandWidth is the width the wizard's command line is laid out in: it
// fits an 80-column terminal after the note's indent and "the same as: ".
const commandWidth = 64

// commandLines lays the parts out for pasting into a shell: lines of at
// most width columns where the parts allow, joined by " \" continuations,
// never broken inside a part.
func commandLines(parts []string, width int) string {
	var lines []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(p)+2 <= width:
			cur += " " + p
		default:
			lines, cur = append(lines, cur+" \\"), "    "+p
		}
	}
	return strings.Join(append(lines, cur), "\n")
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellWord quotes s for a POSIX shell only when it needs it.
func shellWord(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return shellQuote(s)
}

// offerSave asks whether to keep the answers as a profile and writes it:
// the secret only as a reference (a variable, or a 0600 file written now).
func (w *wizardRun) offerSave(path string, pf *flow.ProfileFile, a wizard.FlowAnswers, base *flow.Profile, styles theme.Styles) error {
	existing := map[string]bool{}
	for n := range pf.Profiles {
		existing[n] = true
	}
	name := a.Profile
	if name == "" {
		name = nameFromURL(cmp.Or(a.Issuer, a.TokenURL, a.AuthorizeURL))
	}
	fmt.Fprintln(w.f.IOStreams.ErrOut)
	m, err := w.ask(wizard.NewSave(wizard.SaveConfig{Grant: a.Grant, Existing: existing, DefaultName: name, Secret: a.ClientSecret != "",
		Dir: filepath.Dir(path), Styles: styles, Exists: func(p string) bool {
			_, err := os.Lstat(p)
			return !errors.Is(err, fs.ErrNotExist)
		}}))
	if errors.Is(err, cmdutil.ErrCancelled) {
		fmt.Fprintln(w.f.IOStreams.ErrOut, "not saved")
		return nil // the token was printed; not saving is no failure
	}
	if err != nil {
		return err
	}
	s := wizard.SaveAnswersOf(m.Values())
	if !s.Save {
		return nil
	}
	p := &flow.Profile{}
	if base != nil {
		cp := *base
		p = &cp
	}
	p.Issuer, p.TokenURL, p.AuthorizeURL, p.ClientID, p.Scopes = a.Issuer, a.TokenURL, a.AuthorizeURL, a.ClientID, a.Scopes
	if a.Issuer != "" {
		p.TokenURL, p.AuthorizeURL = "", ""
	}
	if a.Grant == "password" {
		p.Username = a.Username
	}
	errOut := w.f.IOStreams.ErrOut
	var secretFile, how string
	switch s.Secret {
	case wizard.SecretEnv:
		p.ClientSecretEnv, p.ClientSecretFile = s.SecretEnv, ""
		how = fmt.Sprintf("the client secret is read from $%s (export it first)", s.SecretEnv)
	case wizard.SecretFile:
		if secretFile, err = filepath.Abs(s.SecretFile); err != nil {
			return cmdutil.Failf("%v", err)
		}
		if err := os.MkdirAll(filepath.Dir(secretFile), 0o700); err != nil {
			return cmdutil.Failf("the profile was not saved: %v", err)
		}
		if err := fileutil.WriteFile(secretFile, []byte(a.ClientSecret+"\n"), 0o600, false); err != nil {
			return cmdutil.Failf("the profile was not saved: %v", err)
		}
		p.ClientSecretFile, p.ClientSecretEnv = secretFile, ""
		how = "the client secret is in " + secretFile + " (mode 0600)"
	case wizard.SecretNone:
		p.ClientSecretFile, p.ClientSecretEnv = "", ""
		how = "the client secret is not kept: give it with OAUTHKIT_CLIENT_SECRET or --client-secret-file"
	}
	if err := flow.SaveProfile(path, s.Name, p); err != nil {
		if secretFile != "" {
			_ = os.Remove(secretFile)
		}
		return cmdutil.Failf("%v", err)
	}
	fmt.Fprintf(errOut, "saved profile %s in %s\n", s.Name, path)
	if how != "" {
		fmt.Fprintln(errOut, how)
	}
	fmt.Fprintf(errOut, "next time: oauthkit flow %s --profile %s\n", a.Grant, s.Name)
	return nil
}

// nameFromURL offers a profile name from a server URL: its host and port.
func nameFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "default"
	}
	name := strings.NewReplacer(":", "-", "[", "", "]", "").Replace(u.Host)
	if wizard.CheckProfileName(name) != nil {
		return "default"
	}
	return name
}
