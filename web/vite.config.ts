import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The gateway serves web/dist in production and owns /api; in `vite dev` we proxy /api to it.
const gateway = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // CopilotKit's chat (markdown, katex, radix) is one big chunk; that is expected.
    chunkSizeWarningLimit: 4096,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      // SSE responses stream through the dev proxy unbuffered.
      '/api': { target: gateway, changeOrigin: false, ws: true },
    },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    proxy: { '/api': { target: gateway, changeOrigin: false } },
  },
});
