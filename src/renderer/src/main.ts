// Renderer entry: creates the Vue app with Pinia and mounts it. Stores wire themselves to the bridge;
// App.vue decides which screen shows.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import './styles/main.css'
import './styles/dialog.css'
import './styles/timeline.css'

createApp(App).use(createPinia()).mount('#app')
