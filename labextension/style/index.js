import './base.css';
import './compute.css';
