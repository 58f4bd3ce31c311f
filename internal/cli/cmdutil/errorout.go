package cmdutil

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// ErrorFormatFlag is the global flag that selects how an error is printed.
const ErrorFormatFlag = "error-format"

// ErrorFormat is the value of --error-format: "text" or "json".
type ErrorFormat string

var _ pflag.Value = (*ErrorFormat)(nil)

func (e *ErrorFormat) String() string { return string(*e) }
func (e *ErrorFormat) Type() string   { return "text|json" }

// Set refuses anything but text and json, so a typo is a usage error.
func (e *ErrorFormat) Set(v string) error {
	switch v {
	case "text", "json":
		*e = ErrorFormat(v)
		return nil
	}
	return fmt.Errorf("%q is not one of text, json", v)
}

// jsonError is the shape of an error with --error-format json (or an
// explicit -o json): one compact line on standard error.
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	Kind     string `json:"kind"`
	Message  string `json:"message"`
	ExitCode int    `json:"exit_code"`
}

// WriteError prints err on w: "oauthkit: message" for text (one line, but
// for a message that lists several problems, one per line), one compact
// JSON line for json.
func WriteError(w io.Writer, format ErrorFormat, err error) {
	if format == "json" {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(jsonError{jsonErrorBody{Kind: ErrorKind(err), Message: err.Error(), ExitCode: ExitCode(err)}})
		_, _ = io.WriteString(w, b.String())
		return
	}
	fmt.Fprintf(w, "oauthkit: %s\n", err)
}
