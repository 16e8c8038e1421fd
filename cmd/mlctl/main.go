// Command mlctl packages, serves, deploys and monitors trained models.
package main

import (
	"os"

	"github.com/mlctl/mlctl/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
