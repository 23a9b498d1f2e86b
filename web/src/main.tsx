import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// CopilotKit v2 ships its chat styles precompiled (Tailwind v4 output); no Tailwind build needed here.
import '@copilotkit/react-core/v2/styles.css';
import './styles.css';
import { App } from './App';

const root = document.getElementById('root');
if (!root) throw new Error('#root element missing from index.html');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
