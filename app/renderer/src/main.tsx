import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectControl } from './api.js';
import { App } from './App.js';
import { StoresContext } from './context.js';
import { createStores } from './stores/index.js';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const api = connectControl();
if ('error' in api) {
  // The link pasted into this same tab changes only the fragment: load again to take its token.
  window.addEventListener('hashchange', () => location.reload());
  root.render(
    <div className="banner error standalone" role="alert">
      {api.error}
    </div>,
  );
} else {
  root.render(
    <StrictMode>
      <StoresContext.Provider value={createStores(api)}>
        <App />
      </StoresContext.Provider>
    </StrictMode>,
  );
}
