import { Command } from "commander";
import { registerImportCommands } from "./cli/import-commands.ts";
import { registerModelsCommands } from "./cli/models-commands.ts";
import { registerServeCommands } from "./cli/serve-commands.ts";
import { registerTrainCommands } from "./cli/train-commands.ts";

const program = new Command()
  .name("salescast")
  .description("Sales forecasting: train CNN-LSTM models on sales CSVs, backtest them, serve forecasts");
registerTrainCommands(program);
registerModelsCommands(program);
registerServeCommands(program);
registerImportCommands(program);
await program.parseAsync(process.argv);
