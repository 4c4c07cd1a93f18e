import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { latestCalibrations, type VersionCalibration } from './conversion-probability';

declare module '../graphql/context' {
  interface RequestLoaders {
    /** A rule set version's latest calibration (conversion probability), by version id. */
    calibration: DataLoader<string, VersionCalibration | null>;
  }
}

/** A request's calibration loaders. */
export function calibrationLoaders(dataSource: DataSource) {
  return {
    calibration: new DataLoader<string, VersionCalibration | null>(async (versionIds) => {
      const calibrations = await latestCalibrations(dataSource, versionIds);
      return versionIds.map((id) => calibrations.get(id) ?? null);
    }),
  };
}
