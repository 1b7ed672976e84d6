import '@testing-library/jest-dom/vitest';
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';
import { session } from '../api/client';

afterEach(() => {
  cleanup();
  session.reset(); // each test starts as a page just loaded: no token, no refresh on its way
});
