package keygen

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

// execKeygen runs `keygen ARGS` with runF (nil: the real run) and returns
// stdout, stderr and the error.
func execKeygen(t *testing.T, runF func(*Options) error, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := cmdutil.NewFactory(ios, func(string) string { return "" })
	cmd := NewCmdKeygen(f, runF)
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	_, err := cmd.ExecuteC()
	return out.String(), errOut.String(), err
}

func TestKeygenFlags(t *testing.T) {
	tests := []struct {
		args []string
		want Options
	}{
		{nil, Options{Type: "rsa", Bits: 2048, Curve: "P-256", OutDir: ".", Name: "oauthkit", Layout: "default", Output: "text"}},
		{[]string{"--type", "ec", "--curve", "P-521", "--out-dir", "k", "--name", "iss", "--kid", "k1", "-o", "json", "--private-jwk", "--force"},
			Options{Type: "ec", Bits: 2048, Curve: "P-521", OutDir: "k", Name: "iss", KID: "k1", Layout: "default", Output: "json", PrivateJWK: true, Force: true, CurveSet: true, NameSet: true, KIDSet: true}},
		{[]string{"--bits", "4096", "--alg", "PS512", "--pkcs1"},
			Options{Type: "rsa", Bits: 4096, Curve: "P-256", OutDir: ".", Name: "oauthkit", Alg: "PS512", Layout: "default", Output: "text", PKCS1: true, BitsSet: true, AlgSet: true}},
		{[]string{"--type", "ed25519", "--alg", "EdDSA"},
			Options{Type: "ed25519", Bits: 2048, Curve: "P-256", OutDir: ".", Name: "oauthkit", Alg: "EdDSA", Layout: "default", Output: "text", AlgSet: true}},
		{[]string{"--layout", "tencent", "--pkcs1", "--bits", "3072"},
			Options{Type: "rsa", Bits: 3072, Curve: "P-256", OutDir: ".", Name: "oauthkit", Layout: "tencent", Output: "text", PKCS1: true, BitsSet: true}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *Options
			_, _, err := execKeygen(t, func(o *Options) error { got = o; return nil }, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			got.Factory = nil
			if *got != tt.want {
				t.Errorf("options\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestKeygenUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--type", "dsa"}, `--type "dsa" is not one of rsa, ec, ed25519`},
		{[]string{"--bits", "1024"}, "--bits 1024: RSA keys below 2048 bits are refused as insecure"},
		{[]string{"--bits", "2047"}, "--bits 2047: RSA keys below 2048 bits are refused as insecure"},
		{[]string{"--bits", "8192"}, "--bits 8192 is not one of 2048, 3072, 4096"},
		{[]string{"--type", "ec", "--bits", "2048"}, "--bits only applies to --type rsa"},
		{[]string{"--type", "ed25519", "--bits", "3072"}, "--bits only applies to --type rsa"},
		{[]string{"--curve", "P-384"}, "--curve only applies to --type ec"},
		{[]string{"--type", "ed25519", "--curve", "P-256"}, "--curve only applies to --type ec"},
		{[]string{"--type", "ec", "--curve", "secp256k1"}, `--curve "secp256k1" is not one of P-256, P-384, P-521`},
		{[]string{"--type", "ec", "--pkcs1"}, "--pkcs1 only applies to --type rsa"},
		{[]string{"--alg", "ES256"}, `--alg "ES256" cannot be used with an RSA 2048-bit key (allowed: RS256, RS384, RS512, PS256, PS384, PS512)`},
		{[]string{"--type", "ec", "--curve", "P-384", "--alg", "ES256"}, `--alg "ES256" cannot be used with an EC P-384 key (allowed: ES384)`},
		{[]string{"--type", "ed25519", "--alg", "HS256"}, `--alg "HS256" cannot be used with an Ed25519 key (allowed: EdDSA)`},
		{[]string{"--alg", "none"}, `--alg "none" cannot be used`},
		{[]string{"--kid", ""}, "--kid must be a non-empty, printable string"},
		{[]string{"--kid", "a\nb"}, "--kid must be a non-empty, printable string"},
		{[]string{"--layout", "tencent", "--type", "ec"}, "--layout tencent writes RSA keys only, not --type ec"},
		{[]string{"--layout", "tencent", "--name", "x"}, "--name cannot be used with --layout tencent (its files are priv_pem, public_pem and public)"},
		{[]string{"--layout", "tencent", "--private-jwk"}, "--private-jwk cannot be used with --layout tencent"},
		{[]string{"--layout", "tencent", "--kid", "x"}, "--kid cannot be used with --layout tencent"},
		{[]string{"--layout", "apigee"}, `--layout "apigee" is not one of default, tencent`},
		{[]string{"--name", "a/b"}, `--name "a/b" must be a plain file name (no directory; use --out-dir)`},
		{[]string{"--name", ".."}, `--name ".." must be a plain file name`},
		{[]string{"--name", ""}, `--name "" must be a plain file name`},
		{[]string{"--out-dir", ""}, "--out-dir must not be empty"},
		{[]string{"-o", "yaml"}, `--output "yaml" is not one of text, json`},
		{[]string{"extra"}, `keygen takes no arguments, got "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ran := false
			_, _, err := execKeygen(t, func(*Options) error { ran = true; return nil }, tt.args...)
			if err == nil || ran {
				t.Fatalf("err = %v, ran = %v; want a usage error before running", err, ran)
			}
			if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Errorf("exit code %d, want 2", cmdutil.ExitCode(err))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want %q", err, tt.want)
			}
		})
	}
}
