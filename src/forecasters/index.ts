import { linear } from "./linear.ts";
import { naive, seasonalNaive } from "./naive.ts";
import { network, networkOnLinear } from "./network.ts";
import { statisticalMember } from "./statistical.ts";
import type { Member, MemberName } from "./types.ts";

/** Every member by its config name; adding one is its file and one line here. */
export const MEMBERS: Record<MemberName, Member> = {
  naive,
  seasonal_naive: seasonalNaive,
  linear,
  network,
  network_on_linear: networkOnLinear,
  mstl: statisticalMember("mstl"),
  ets: statisticalMember("ets"),
};

/** Members that forecast from a window alone and export to ONNX, so they can serve the window routes. */
export const WINDOW_MEMBERS: readonly MemberName[] = ["linear", "network", "network_on_linear"];

export type {
  FitContext,
  FittedMember,
  ForecastFunction,
  ForecastRequest,
  Member,
  MemberName,
  WindowModel,
} from "./types.ts";
