import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The server under development: `npm run salescast -- serve` listens here by default.
const API = "http://127.0.0.1:8000";

// Run as `vite build web` (npm run build): the root is web/, and dist/ lands in web/dist.
export default defineConfig({
  plugins: [preact()],
  build: { outDir: "dist", emptyOutDir: true },
  server: { proxy: { "/api": API, "/docs": API } },
});
