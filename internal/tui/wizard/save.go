package wizard

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// Where a saved profile finds the client secret.
const (
	SecretNone = "none" // not kept: given again each time
	SecretEnv  = "env"  // client_secret_env
	SecretFile = "file" // client_secret_file, written now with mode 0600
)

// SaveConfig is what the save question needs.
type SaveConfig struct {
	// Grant is the grant that was run (for the hint of how to use the profile).
	Grant string
	// Existing names of the profile file (a name there is replaced only
	// when the person says so).
	Existing map[string]bool
	// DefaultName is offered first (the profile started from, or one made
	// from the issuer).
	DefaultName string
	// Secret: a client secret was typed, so where to keep it is asked.
	Secret bool
	// Dir is where the secret file is offered (the profile file's folder).
	Dir string
	// Exists tells whether a file is there (a secret file never overwrites).
	Exists func(path string) bool
	Styles theme.Styles
}

// SaveAnswers are what the save question asked.
type SaveAnswers struct {
	Save       bool
	Name       string
	Secret     string // SecretNone, SecretEnv or SecretFile ("" when no secret was typed)
	SecretEnv  string
	SecretFile string
}

// CheckProfileName refuses names that do not make a plain YAML key and
// --profile argument (flow.ValidProfileName).
func CheckProfileName(s string) error {
	if !flow.ValidProfileName(s) {
		return fmt.Errorf("%q: a profile name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", s)
	}
	return nil
}

// NewSave asks whether to save the answers as a profile, its name, and
// where the client secret is to be found (never in the profile file).
func NewSave(cfg SaveConfig) Model {
	saving := func(v Values) bool { return v["save"] != "yes" }
	fields := []Field{
		{ID: "save", Kind: Select, Label: "save", Title: "Save these answers as a profile?",
			Note: func(Values) string {
				return "next time: oauthkit flow " + cmp.Or(cfg.Grant, "GRANT") + " --profile NAME"
			},
			Options: func(Values) []Option {
				return []Option{{Value: "yes", Label: "yes"}, {Value: "no", Label: "no"}}
			}},
		{ID: "name", Kind: Text, Label: "name", Title: "Profile name", Skip: saving,
			Default:  func(Values) string { return cfg.DefaultName },
			Validate: func(s string, _ Values) error { return CheckProfileName(strings.TrimSpace(s)) }},
		{ID: "replace", Kind: Select, Label: "replace", Title: "That profile exists. Replace it?",
			Skip: func(v Values) bool { return saving(v) || !cfg.Existing[strings.TrimSpace(v["name"])] },
			Options: func(v Values) []Option {
				return []Option{{Value: "yes", Label: "replace " + strings.TrimSpace(v["name"])}, {Value: "back", Label: "choose another name"}}
			}, Back: "back"},
		{ID: "secret", Kind: Select, Label: "client secret", Title: "Where does the profile find the client secret?",
			Note: func(Values) string { return "the secret itself is never written into the profile file" },
			Skip: func(v Values) bool { return saving(v) || !cfg.Secret },
			Options: func(Values) []Option {
				return []Option{
					{Value: SecretEnv, Label: "an environment variable", Note: "you export it yourself"},
					{Value: SecretFile, Label: "a file", Note: "written now, readable by you alone (0600)"},
					{Value: SecretNone, Label: "nowhere", Note: "give it each time (OAUTHKIT_CLIENT_SECRET)"},
				}
			}},
		{ID: "secret_env", Kind: Text, Label: "variable", Title: "Environment variable name",
			Skip:    func(v Values) bool { return saving(v) || v["secret"] != SecretEnv },
			Default: func(v Values) string { return EnvNameFor(strings.TrimSpace(v["name"])) },
			Validate: func(s string, _ Values) error {
				if !validEnvName(strings.TrimSpace(s)) {
					return errors.New("a variable name is letters, digits and '_', not starting with a digit")
				}
				return nil
			}},
		{ID: "secret_file", Kind: Text, Label: "file", Title: "File for the client secret",
			Skip:    func(v Values) bool { return saving(v) || v["secret"] != SecretFile },
			Default: func(v Values) string { return filepath.Join(cfg.Dir, strings.TrimSpace(v["name"])+".secret") },
			Validate: func(s string, _ Values) error {
				s = strings.TrimSpace(s)
				switch {
				case s == "":
					return errors.New("the file name is required")
				case cfg.Exists != nil && cfg.Exists(s):
					return fmt.Errorf("%s exists; it is not overwritten: choose another file", s)
				}
				return nil
			}},
	}
	return New("save as a profile", fields, cfg.Styles)
}

// SaveAnswersOf reads the answers of the save question.
func SaveAnswersOf(v Values) SaveAnswers {
	return SaveAnswers{Save: v["save"] == "yes", Name: strings.TrimSpace(v["name"]), Secret: v["secret"],
		SecretEnv: strings.TrimSpace(v["secret_env"]), SecretFile: strings.TrimSpace(v["secret_file"])}
}

// EnvNameFor is the variable offered for a profile's secret:
// OAUTHKIT_<NAME>_CLIENT_SECRET, with what a variable cannot hold made '_'.
func EnvNameFor(profile string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(profile) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "OAUTHKIT_CLIENT_SECRET"
	}
	return "OAUTHKIT_" + b.String() + "_CLIENT_SECRET"
}

// validEnvName reports whether s can name an environment variable in a
// shell: 1 to 128 letters, digits and '_', not starting with a digit.
func validEnvName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case i > 0 && '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return true
}
