import { Command } from "commander";
import { registerForecastCommands } from "./cli/forecast-commands.ts";
import { registerImportCommands } from "./cli/import-commands.ts";
import { registerModelsCommands } from "./cli/models-commands.ts";
import { registerServeCommands } from "./cli/serve-commands.ts";
import { registerTrainCommands } from "./cli/train-commands.ts";
import { registerWorkerCommands } from "./cli/worker-commands.ts";

const program = new Command()
  .name("salescast")
  .description(
    "Sales forecasting: fit an ensemble of forecasters on sales CSVs, cross-validate and backtest it, serve forecasts",
  );
registerTrainCommands(program);
registerForecastCommands(program);
registerModelsCommands(program);
registerServeCommands(program);
registerImportCommands(program);
registerWorkerCommands(program);
await program.parseAsync(process.argv);
