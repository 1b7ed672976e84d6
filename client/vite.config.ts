import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// In development Vite serves the client and passes the API to express_api (EXPRESS_API_URL,
// default http://127.0.0.1:5000), so the browser still sees one origin. In production
// express_api serves the built files from client/dist.
const api = process.env.EXPRESS_API_URL || 'http://127.0.0.1:5000';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 3000,
    proxy: { '/api': api, '/direct-api': api },
  },
  build: { outDir: 'dist', sourcemap: false },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
