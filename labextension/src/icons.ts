import { LabIcon } from '@jupyterlab/ui-components';

import maestroSvgstr from '../style/icons/maestro.svg';

/**
 * Maestro icon: a stylised "M" with a conductor's baton.
 */
export const maestroIcon = new LabIcon({
  name: 'maestro-jupyter:maestro',
  svgstr: maestroSvgstr
});
