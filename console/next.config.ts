import path from 'node:path';
import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
  // npm workspaces hoist dependencies to the repository root.
  turbopack: { root: path.resolve(process.cwd(), '..') },
};

export default config;
