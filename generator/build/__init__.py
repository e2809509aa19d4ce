"""Getting the generated files onto the disk: the file plan, writing, the second process, the
run manifest and the run lock. Only this package (and the tools and the CLI) writes files."""
