import Foundation
import TaktLanguage

// Exit statuses of docs/cli.md: 0 success, 1 script error or failed expectation, 2 usage.
Takt.main(arguments: Array(CommandLine.arguments.dropFirst()))
