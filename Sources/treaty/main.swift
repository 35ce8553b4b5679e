import TreatyCommands

await TreatyCommand.runMain()
