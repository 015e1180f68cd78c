import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { Stores } from './stores/index.js';

export const StoresContext = createContext<Stores | null>(null);

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error('StoresContext missing');
  return stores;
}

/** Subscribes a component to a slice of one store. */
export function useSlice<S, T>(store: StoreApi<S>, select: (s: S) => T): T {
  return useStore(store, select);
}
