import { render } from 'preact';
import { App } from './app/app';
import './styles/base.css';
import './styles/layout.css';
import './styles/tables.css';
import './styles/builder.css';
import './styles/pages.css';

render(<App />, document.getElementById('app')!);
