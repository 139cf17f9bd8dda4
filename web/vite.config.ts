// Builds the web app into web/dist, which the server serves at "/". `vite --config web/vite.config.ts`
// serves it for development with /api proxied to a running `npm start`.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://localhost:3000', '/v1': 'http://localhost:3000' } },
});
