package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxInput bounds what is read from a file or stdin for a single value.
const maxInput = 1 << 20

// ReadInput reads a file argument, "-" meaning stdin. Input larger than
// 1 MiB is refused. A file that cannot be opened or read is a usage error
// (exit 2, see UnreadableInput).
func ReadInput(f *Factory, path string) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = f.IOStreams.In
	} else {
		file, err := os.Open(path)
		if err != nil {
			return nil, UnreadableInput(err)
		}
		defer file.Close()
		r = file
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, UnreadableInput(fmt.Errorf("reading %s: %w", displayName(path), unwrapPathError(err)))
	}
	if len(data) > maxInput {
		return nil, Failf("%s is larger than 1 MiB", displayName(path))
	}
	return data, nil
}

// ReadValueArg returns the argument itself, or stdin's content when it is "-",
// with surrounding white space removed.
func ReadValueArg(f *Factory, arg string) (string, error) {
	if arg != "-" {
		return strings.TrimSpace(arg), nil
	}
	data, err := ReadInput(f, "-")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}

// SecretSource names where a secret may come from, in precedence order:
// the flag's value, a file (or "-" for stdin), an environment variable.
type SecretSource struct {
	Value   string // value given on the command line (discouraged)
	File    string // path, or "-" for stdin
	EnvVar  string // e.g. OAUTHKIT_CLIENT_SECRET
	FlagSet bool   // whether the value flag was given
}

// ReadSecret resolves a secret from its sources. The second result reports
// whether any source provided it. A trailing newline in a file is removed.
func ReadSecret(f *Factory, s SecretSource) (string, bool, error) {
	if s.FlagSet && s.File != "" {
		return "", false, UsageErrorf("give the secret either as a value or with a file, not both")
	}
	if s.FlagSet {
		return s.Value, true, nil
	}
	if s.File != "" {
		data, err := ReadInput(f, s.File)
		if err != nil {
			return "", false, err
		}
		return strings.TrimRight(string(data), "\r\n"), true, nil
	}
	if s.EnvVar != "" && f.Getenv != nil {
		if v := f.Getenv(s.EnvVar); v != "" {
			return v, true, nil
		}
	}
	return "", false, nil
}

// WarnSecretInArgv prints the one warning for a secret given on the command
// line (what: "--client-secret", "the CLIENT_SECRET argument"), naming the
// safer ways (use: "--client-secret-file or OAUTHKIT_CLIENT_SECRET").
func WarnSecretInArgv(f *Factory, what, use string) {
	fmt.Fprintf(f.IOStreams.ErrOut, "warning: %s is visible to other users of this machine (process list, shell history); use %s\n", what, use)
}

func displayName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// UnreadableInput is the one rule for an input file named on the command
// line (a key, a token, a secret, a configuration) that cannot be opened or
// read — missing, not readable, a directory: a usage error, exit 2, as the
// command line names something that is not there. A file that is read but
// whose content is wrong is a failure (exit 1) or what its command says.
// The message is "PATH: reason", without Go's "open" prefix.
func UnreadableInput(err error) error {
	if err == nil {
		return nil
	}
	var pe *os.PathError
	if errors.As(err, &pe) && err == error(pe) {
		if pe.Op == "open" {
			err = fmt.Errorf("%s: %w", pe.Path, pe.Err)
		} else {
			err = fmt.Errorf("reading %s: %w", pe.Path, pe.Err)
		}
	}
	return UsageError(err)
}

// InputError classifies the error of a function that reads and parses an
// input file (keys.ParseFile, a configuration loader): the file could not be
// opened or read → UnreadableInput (exit 2); anything else, the content is
// wrong → a failure (exit 1).
func InputError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		if strings.HasPrefix(err.Error(), "reading ") || err == error(pe) {
			return UnreadableInput(pe)
		}
		return UnreadableInput(err)
	}
	return Failf("%v", err)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
