// Command oauthkit is the OAuth 2.0 bench for a developer's machine and CI.
package main

import (
	"os"

	"github.com/oauthkit/oauthkit/internal/cli"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], iostreams.System()))
}
