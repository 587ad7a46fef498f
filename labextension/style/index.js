import './base.css';
import './compute.css';
import './budgets.css';
import './tabs.css';
import './document-frame.css';
import './experiments.css';
import './models.css';
import './runviews.css';
