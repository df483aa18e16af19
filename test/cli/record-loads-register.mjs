// `node --import` this file to record the modules a process loads (see record-loads.mjs).
import { register } from "node:module";

register("./record-loads.mjs", import.meta.url);
