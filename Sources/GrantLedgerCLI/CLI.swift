/// The CLI.
