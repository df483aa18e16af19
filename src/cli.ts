import { Command } from "commander";
import { registerTrainCommands } from "./cli/train-commands.ts";

const program = new Command()
  .name("salescast")
  .description("Sales forecasting: train CNN-LSTM models on sales CSVs, backtest them, serve forecasts");
registerTrainCommands(program);
await program.parseAsync(process.argv);
