/** A statistical pool's worker thread: fits and forecasts the histories of each task it is given. */
import { serveTasks } from "../parallel/index.ts";
import { forecastHistories, type StatisticalTask } from "./statistical-models.ts";

serveTasks((task: StatisticalTask) => {
  const result = forecastHistories(task);
  return { result, transfer: [result.forecasts.buffer] };
});
