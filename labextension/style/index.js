import './base.css';
import './compute.css';
import './budgets.css';
