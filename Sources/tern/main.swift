// The `tern` command line. Everything lives in TernCommand and its subcommands.
await TernCommand.runMain()
